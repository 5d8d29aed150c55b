import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { Page } from '../common/dto/page';
import { PageResponse } from '../common/dto/page-response';
import { CurrentUser } from '../session/current-user.decorator';
import { SignedIn } from '../session/signed-in.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiCreatedResponse({ type: UserDto, description: 'Signed up' })
  @ApiBadRequestResponse({ description: 'Invalid body' })
  @ApiConflictResponse({ description: 'Email is already registered' })
  create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Get()
  @SignedIn()
  @ApiOkResponse({ type: PageResponse(UserDto) })
  list(@Query() query: PageQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @SignedIn()
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  findOne(@Param('id', ParseUUIDPipe) id: string): Promise<UserDto> {
    return this.users.findById(id);
  }

  @Patch(':id')
  @SignedIn()
  @ApiOkResponse({ type: UserDto })
  @ApiForbiddenResponse({ description: 'Another user' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Email is already registered' })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() me: UserDto,
  ): Promise<UserDto> {
    await this.assertSelf(me, id);
    return this.users.update(id, dto);
  }

  @Delete(':id')
  @SignedIn()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: "Deleted; all of that user's sessions have ended" })
  @ApiForbiddenResponse({ description: 'Another user' })
  @ApiNotFoundResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() me: UserDto): Promise<void> {
    await this.assertSelf(me, id);
    return this.users.remove(id);
  }

  /** Only a user may change or delete itself: 403 for another user, 404 for one that does not exist. */
  private async assertSelf(me: UserDto, id: string): Promise<void> {
    if (me.id === id) return;
    await this.users.findById(id);
    throw new ForbiddenException('You may only change or delete your own account');
  }
}
